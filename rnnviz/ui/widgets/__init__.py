"""One file per view. Each view listens to the Session and redraws itself from its state."""
