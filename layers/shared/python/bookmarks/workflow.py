"""The one module that talks to Step Functions: it resumes the publishing workflow where it waits for a
moderator. The task token comes from the reviews table and goes nowhere else (never logged, never returned).
"""

import json

from botocore.exceptions import ClientError

from bookmarks.aws import stepfunctions
from bookmarks.errors import AlreadyDecided
from bookmarks.models import ReviewDecision

# The token was spent (another moderator was first) or the wait ended (timeout, failure).
_SPENT = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


def resume(task_token: str, bookmark_id: str, decision: ReviewDecision) -> None:
    """Hand the moderator's decision to the waiting workflow; raises AlreadyDecided if it no longer waits."""
    output = {"decision": decision.decision, "reason": decision.reason or "a moderator turned it down"}
    if decision.decision == "approve":
        output["reason"] = "approved by a moderator"
    try:
        stepfunctions().send_task_success(taskToken=task_token, output=json.dumps(output))
    except ClientError as error:
        if error.response["Error"]["Code"] not in _SPENT:
            raise
        raise AlreadyDecided(bookmark_id) from None
