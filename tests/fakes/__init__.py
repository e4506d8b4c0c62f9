"""Local stand-ins for the providers we call over HTTP: real HTTP servers on 127.0.0.1, started by the
tests, that check what we send as the provider documents it and answer with the provider's own codes. The
payment gateways (decision 029) live in ``simulation/fakes`` so the simulator's provider mix
(``simulate --providers``) can start them too; 快递100 and Aliyun SMS (decision 024) are here. The code under
test reaches them only through its configured gateway URL."""
