"""Customer 360 (客户360): search, profile, holdings, AUM trend, transactions, behaviour timeline."""
