"""Single sign-on (#22): OpenID Connect sign-in through a municipality's identity provider."""
