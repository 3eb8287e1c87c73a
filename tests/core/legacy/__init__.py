"""Frozen copies of the vanilla RNN code before issue 12, for bit-for-bit regression tests."""
