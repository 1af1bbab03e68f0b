"""Local-agency submissions: intake, validation, error answers; raw kept for review."""
