"""The fake payment gateways the tests start (decision 029); they live in ``simulation/fakes`` so the
simulator's provider mix (``simulate --providers``) can start them too."""
