"""Data integration (数据接入): the bank's orgs, staff, products, customers, holdings, transactions and AUM."""
