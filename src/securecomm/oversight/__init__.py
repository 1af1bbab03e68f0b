"""Statistics, accuracy against ground truth, reports: what oversight bodies read."""
