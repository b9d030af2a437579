"""Tracking: Segment-compatible event ingestion, identity stitching, bulk import."""
