"""SQLModel tables, one module per subject. Importing this package registers every table."""

from models.actions import ACTION_STATUSES, Action, ActionUpdate, Plan
from models import audit_chain  # noqa: F401  (chains every audit entry as it is flushed)
from models.audit import AuditChainHead, AuditEntry
from models.cases import CASE_TYPES, Case, CaseAllocation
from models.deliveries import ConversationRef, Delivery
from models.imports import ImportRun
from models.performance import PerformanceSnapshot, ReportLink
from models.organisation import ACCESS_ROLE_BY_JOB_ROLE, Service, Staff, Team
from models.reminders import AlertEpisode, ReminderPreference
from models.supervision import Supervision

__all__ = [
    "ACCESS_ROLE_BY_JOB_ROLE", "ACTION_STATUSES", "CASE_TYPES", "Action", "ActionUpdate",
    "AlertEpisode", "ReminderPreference",
    "AuditChainHead", "AuditEntry", "Case", "CaseAllocation", "ConversationRef", "Delivery",
    "ImportRun", "PerformanceSnapshot", "Plan", "ReportLink", "Service", "Staff", "Supervision",
    "Team",
]
