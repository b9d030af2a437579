"""Strategy centre (策略中心): canvas journeys, engine, contact policy, experiments."""
