"""Dropout Lab as an LTI 1.3 tool (issue 26): an LMS (Canvas, Moodle, Brightspace...) launches the
lesson, and the launch becomes a learner in a class, or an instructor on the course's dashboard.

One room per concern; none imports Streamlit:
- `config`: the platforms the server trusts (DROPOUT_LAB_LTI_CONFIG, a JSON file); off without it;
- `keys`: the tool's RSA keys in the data directory, their JWKS, rotation;
- `tool`: PyLTI1p3 on this server: its request, cookie and session classes, state and nonce kept
  in the database (one use each), the checks in order, each failure named (`LaunchRefused`);
- `routes`: the OIDC login, the launch, the JWKS and the deep linking answer as Starlette routes
  on the app's own server;
- `deep_link`: the picker an instructor adding the tool sees, and the signed response;
- `services`: PyLTI1p3's grade (AGS) and roster (NRPS) calls, each with a service token;
- `outbox`: the sender that turns changed progress into scores and posts them, with back-off;
- `roster`: the course's members from the LMS, and who has not started;
- `server`: the ASGI app (`st.App`) that serves the lesson with those routes.

The docs for an LMS admin are docs/lms.md."""
