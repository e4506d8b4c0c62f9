"""Local fake payment gateways (decision 029): HTTP servers that keep Alipay's and WeChat Pay's documented
contracts, for the tests (``tests/fakes`` re-uses them) and the simulator's provider mix. They import
nothing from the project."""
