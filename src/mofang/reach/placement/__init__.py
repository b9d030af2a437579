"""资源位 in-app placements: which content a slot shows a customer now (priority, eligibility, cap, schedule)."""
