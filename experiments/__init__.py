"""Experiments: scenarios, replicates, summaries, plots and reports built on the model."""
