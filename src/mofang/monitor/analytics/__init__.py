"""Behaviour analytics (行为分析): the eight models plus LTV and RFM, each built apart from being run."""
