"""智能 smart nodes of the canvas: the propensity models behind 高潜筛选 and the best hours behind 最佳时机."""
