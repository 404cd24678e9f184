"""Signals of the programme app, for the apps above it (dependencies run one way)."""

from django.dispatch import Signal

# Sent by `load_territory` inside its transaction once the reference data is written, with
# `reference` (programme.reference.Reference) and `data_dir`. A receiver returns a short French
# phrase for the command's summary (« 2 réalisations de la phase 1 »), or None.
reference_loaded = Signal()
