"""Detainers: I-247 family forms by era, the hold clock and holding-agency responses."""
