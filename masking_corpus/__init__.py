"""The labelled corpus of support messages the masking engine (support.masking)
is measured on: its generator, the committed corpus.json and the evaluator.

Development only: tests and bin/bench use it; no production module imports it."""
