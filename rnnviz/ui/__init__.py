"""rnnviz.ui: the Qt app. Session drives the core; views draw; MainWindow composes."""
