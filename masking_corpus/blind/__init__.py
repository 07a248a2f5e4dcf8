"""Blind labelled corpus for the masking engine, written from LABELS.md alone."""
