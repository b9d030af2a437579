"""Machine-learning insight: decision-tree customer insight (决策树客群洞察) and churn warning (流失预警)."""
