"""securecomm: an open, working implementation of the Secure Communities interoperability system."""

__version__ = "0.1.0"
