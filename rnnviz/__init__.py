"""rnnviz: step inside a recurrent neural network, forward and backward through time."""

__version__ = "0.1.0"
