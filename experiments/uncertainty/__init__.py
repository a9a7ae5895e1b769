"""Uncertainty analyses: priors from the evidence table, PSA, value of information, sensitivity."""
