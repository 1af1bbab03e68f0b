"""ANSI/NIST-ITL 1-2011 codec, EBTS 9.1 validation and Secure Communities messages."""
