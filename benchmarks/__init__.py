"""Speed and memory benchmarks, and a per-agent Mesa reference implementation."""
