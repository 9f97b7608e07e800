"""The load profiles `make cost` prices per month and `make capacity` checks against the limits: what one
active user does on a working day. Stated, not measured: change them to your app's and run both again."""

PROFILES = (1_000, 10_000, 100_000)  # active users (each signs in at least once a month: one MAU)
# The order stories are shown in (any other measured story follows).
ORDER = ("sign_in", "list", "get", "create", "update", "delete", "share", "team_list")
PER_USER_PER_DAY = {"list": 8.0, "get": 4.0, "create": 2.0, "update": 1.0, "delete": 0.5, "team_list": 4.0}
SHARE_RATE = 0.1  # of the bookmarks created, shared with the team (each one reviewed)
SIGN_INS_PER_USER_PER_DAY = 1.0
# ID tokens last 15 minutes (UserPoolClient): an hour of use a day refreshes them 4 times, each a
# UserAuthentication request like a sign-in.
TOKEN_REFRESHES_PER_USER_PER_DAY = 4.0
WORKING_DAYS_PER_MONTH = 21
ONBOARDING_DAYS = 5  # the team is invited over a working week: one invitation email each
PEAK_HOUR_SHARE = 0.2  # of a day's requests in its busiest hour (one time zone, a working day)
BURST = 2.0  # the busiest second against the busiest hour's mean


def per_day(users: int, stories: list[str]) -> dict[str, float]:
    """How often each of ``stories`` (measured.json's names) happens a working day for ``users``."""
    rates = {name: users * rate for name, rate in PER_USER_PER_DAY.items() if name in stories}
    if "share" in stories:
        rates["share"] = users * PER_USER_PER_DAY["create"] * SHARE_RATE
    if "sign_in" in stories:
        rates["sign_in"] = users * SIGN_INS_PER_USER_PER_DAY
    return rates


def peak_per_second(per_day: float) -> float:
    return per_day * PEAK_HOUR_SHARE / 3600 * BURST
