"""Accounts: who a sign-in is (linking provider accounts to stored users) and its completion."""
