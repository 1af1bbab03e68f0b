"""Status-centre role: immigration query answers and status determination rules."""
