"""Every action in one table: id, text, shortcut, tooltip. MainWindow builds menus and toolbar from it.

No action auto-repeats: holding the key of a HOLD action steps at HOLD_INTERVAL_MS (ui/key_hold.py),
and releasing it stops at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    shortcut: str
    tip: str
    menu: str
    checkable: bool = False
    toolbar: bool = False


ACTIONS = (
    ActionSpec("back", "Step &back", "Left", "Undo one timestep", "Step", toolbar=True),
    ActionSpec(
        "step", "&Step", "Right", "Compute the next timestep (forward, then backward)", "Step", toolbar=True
    ),
    ActionSpec(
        "play", "&Play", "Space", "Play / pause: step automatically", "Step", checkable=True, toolbar=True
    ),
    ActionSpec("reset", "&Reset", "Ctrl+R", "Back to step 0 on the same sequence", "Step", toolbar=True),
    ActionSpec(
        "new_sequence", "&New sequence", "Ctrl+N", "Draw a new sequence from the data", "Step", toolbar=True
    ),
    ActionSpec(
        "train", "&Train", "Ctrl+T", "Train for the chosen number of iterations", "Model", toolbar=True
    ),
    ActionSpec("stop", "S&top training", "Esc", "Stop training (the progress so far is kept)", "Model"),
    ActionSpec(
        "new_model",
        "Re-&initialise model",
        "Ctrl+Shift+R",
        "New random parameters from the seed; forgets training",
        "Model",
    ),
    ActionSpec(
        "open", "&Open…", "Ctrl+O", "Open a saved session (.rnnviz) or a UTF-8 text to learn from", "File"
    ),
    ActionSpec(
        "save", "&Save session…", "Ctrl+S", "Save parameters, settings, data and step position", "File"
    ),
    ActionSpec("export_png", "Export view as &PNG…", "Ctrl+E", "Save one view as a picture", "File"),
    ActionSpec(
        "export_svg", "Export view as S&VG…", "Ctrl+Shift+E", "Save one view as a vector drawing", "File"
    ),
    ActionSpec("export_csv", "Export &data as CSV…", "", "Save the numbers behind the views", "File"),
    ActionSpec(
        "export_gif", "Export step-through as &GIF…", "", "Animate the current sequence for slides", "File"
    ),
    ActionSpec("screenshot", "Save &screenshot…", "Ctrl+Shift+S", "Save the window as a PNG", "File"),
    ActionSpec("quit", "&Quit", "Ctrl+Q", "Quit rnnviz", "File"),
    ActionSpec(
        "undo",
        "&Undo new model",
        "Ctrl+Z",
        "Bring back the trained model that a settings change or re-initialisation replaced",
        "Model",
    ),
    ActionSpec(
        "run_experiment",
        "Run the paper's &experiment…",
        "",
        "Train each cell on a paper's task from several seeds, and compare with the published figures",
        "Model",
    ),
    ActionSpec(
        "gradcheck",
        "&Gradient check",
        "Ctrl+G",
        "Compare BPTT with finite differences on this sequence",
        "Model",
    ),
    ActionSpec(
        "presenter",
        "&Presenter mode",
        "F11",
        "Full screen, large type: the graph and the one or two views the lesson step needs",
        "View",
        checkable=True,
    ),
    ActionSpec(
        "view_hidden",
        "&Hidden state view",
        "1",
        "Bring the hidden-state view to the front (presenter mode: show or hide it beside the graph)",
        "View",
    ),
    ActionSpec(
        "view_loss",
        "&Loss view",
        "2",
        "Bring the loss view to the front (presenter mode: show or hide it beside the graph)",
        "View",
    ),
    ActionSpec(
        "view_gradients",
        "&Gradient view",
        "3",
        "Bring the gradient view to the front (presenter mode: show or hide it beside the graph)",
        "View",
    ),
    ActionSpec(
        "view_states",
        "Hidden-state &space",
        "4",
        "Open or close the hidden-state space view: the sequence's states as a path in 2-D"
        " (presenter mode: show or hide it beside the graph)",
        "View",
    ),
    ActionSpec(
        "view_cliff",
        "Pascanu's &cliff",
        "5",
        "Open or close the cliff view: gradient descent with and without clipping on one unit's error"
        " (presenter mode: show or hide it beside the graph)",
        "View",
    ),
    ActionSpec(
        "view_gradnorm",
        "Gradient &norm while training",
        "6",
        "Open or close the gradient-norm view: the norm before clipping at every training iteration"
        " (presenter mode: show or hide it beside the graph)",
        "View",
    ),
    ActionSpec(
        "view_auto",
        "Views the &lesson step needs",
        "0",
        "Presenter mode: back to the views the lesson step names (or, outside a lesson, the phase's)",
        "View",
    ),
    ActionSpec(
        "compare",
        "&Compare cells",
        "",
        "Trace and train a second cell beside this one on the same sequences (RNN beside LSTM, ...)",
        "View",
        checkable=True,
    ),
    ActionSpec(
        "reset_layout",
        "&Reset layout",
        "",
        "Put the window and its panels back as on the first start (fitted to this screen)",
        "View",
    ),
)
HOLD = ("back", "step")  # held down, these repeat at a steady pace (never auto-repeated key presses)
HOLD_DELAY_MS = 400  # a press steps once; held this long, it starts repeating ...
HOLD_INTERVAL_MS = 150  # ... one step per this many ms, each drawn before the next


def build_actions(parent, handlers: dict) -> dict[str, QAction]:
    """QActions for ACTIONS, triggered into handlers[id] (missing handlers leave the action disabled)."""
    actions = {}
    for spec in ACTIONS:
        a = QAction(spec.text, parent)
        if spec.shortcut:
            a.setShortcut(QKeySequence(spec.shortcut))
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.setToolTip(f"{spec.tip} ({spec.shortcut})" if spec.shortcut else spec.tip)
        a.setStatusTip(spec.tip)
        a.setCheckable(spec.checkable)
        a.setAutoRepeat(False)  # a held key must not queue steps (HOLD actions repeat on a timer)
        handler = handlers.get(spec.id)
        if handler is None:
            a.setEnabled(False)
        else:
            a.triggered.connect(lambda checked=False, h=handler: h())
        actions[spec.id] = a
    return actions
