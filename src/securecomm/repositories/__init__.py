"""The criminal (CJIS role) and immigration (IDENT role) repositories."""
