"""Append-only event timeline: every flow step and every decision leaves an event."""
