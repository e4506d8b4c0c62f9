"""Local stand-ins for the providers we call over HTTP (快递100, Aliyun SMS): real HTTP servers on
127.0.0.1, started by the tests, that check what we send as the provider documents it and answer with the
provider's own codes. The code under test reaches them only through its configured gateway URL."""
