"""The FastAPI + SQLAlchemy stack Stepwise replaces, serving the CRUD benchmark's reads and
writes the way such a backend does: ORM models, a session per request, pydantic response
models, sync endpoints in FastAPI's thread pool, uvicorn. Same tables and same answer fields
as Stepwise's `goal.get` and `task.setComplete`. Started by apps/bench (crud.bench.ts) with
Debian's python3-fastapi, python3-uvicorn, python3-sqlalchemy and python3-psycopg2.

Environment: DATABASE_URL (postgresql://...), BENCH_TOKEN, BENCH_USER_ID, PORT.
"""

import datetime
import os
from typing import List, Optional

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Text,
    Time,
    create_engine,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Session, declarative_base, defer, sessionmaker

DATABASE_URL = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg2://", 1)
TOKEN = os.environ["BENCH_TOKEN"]
USER_ID = os.environ["BENCH_USER_ID"]
PRIORITIES = ["low", "medium", "high", "urgent"]

engine = create_engine(DATABASE_URL, pool_size=10, max_overflow=0)
SessionLocal = sessionmaker(bind=engine, autoflush=False)
Base = declarative_base()


class Goal(Base):
    __tablename__ = "goals"
    id = Column(UUID(as_uuid=False), primary_key=True)
    user_id = Column(Text, nullable=False)
    title = Column(Text, nullable=False)
    status = Column(Text, nullable=False)
    requirements = Column(JSON, nullable=False)
    failure_code = Column(Text)
    failure_message = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)


class PlanVersion(Base):
    __tablename__ = "plan_versions"
    id = Column(UUID(as_uuid=False), primary_key=True)
    goal_id = Column(UUID(as_uuid=False), ForeignKey("goals.id"), nullable=False)
    version = Column(Integer, nullable=False)
    is_current = Column(Boolean, nullable=False)
    source = Column(Text, nullable=False)
    title = Column(Text, nullable=False)
    summary = Column(Text, nullable=False)
    plan = Column(JSON, nullable=False)
    generation_id = Column(UUID(as_uuid=False))
    created_at = Column(DateTime(timezone=True), nullable=False)


class Task(Base):
    __tablename__ = "tasks"
    id = Column(UUID(as_uuid=False), primary_key=True)
    user_id = Column(Text, nullable=False)
    goal_id = Column(UUID(as_uuid=False), ForeignKey("goals.id"))
    plan_version_id = Column(UUID(as_uuid=False))
    task_key = Column(Text)
    week = Column(Integer)
    day = Column(Integer)
    title = Column(Text, nullable=False)
    notes = Column(Text, nullable=False)
    category = Column(Text)
    effort_minutes = Column(Integer)
    priority = Column(Integer, nullable=False)
    tags = Column(ARRAY(Text), nullable=False)
    start_date = Column(Date)
    due_date = Column(Date)
    due_time = Column(Time)
    reminder_minutes = Column(Integer)
    recurrence = Column(Text)
    completed_at = Column(DateTime(timezone=True))
    position = Column(Integer, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Out(BaseModel):
    class Config:
        orm_mode = True
        alias_generator = camel
        allow_population_by_field_name = True


class Failure(Out):
    code: str
    message: str


class PlanSummary(Out):
    id: str
    version: int
    source: str
    title: str
    summary: str
    generation_id: Optional[str]
    created_at: datetime.datetime


class GoalTask(Out):
    id: str
    week: Optional[int]
    day: Optional[int]
    title: str
    notes: str
    category: Optional[str]
    effort_minutes: Optional[int]
    priority: str
    tags: List[str]
    start_date: Optional[datetime.date]
    due_date: Optional[datetime.date]
    due_time: Optional[datetime.time]
    reminder_minutes: Optional[int]
    recurrence: Optional[str]
    completed_at: Optional[datetime.datetime]
    position: int


class GoalView(Out):
    id: str
    title: str
    status: str
    requirements: dict
    failure: Optional[Failure]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    plan: Optional[PlanSummary]
    tasks: List[GoalTask]


class TaskOut(GoalTask):
    goal_id: Optional[str]
    plan_version_id: Optional[str]
    task_key: Optional[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class Completion(BaseModel):
    completed: bool


class CompletionOut(Out):
    task: TaskOut
    next: Optional[TaskOut]


def task_out(task: Task, model=GoalTask):
    fields = {name: getattr(task, name) for name in model.__fields__ if name != "priority"}
    return model(**fields, priority=PRIORITIES[task.priority])


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def current_user(authorization: str = Header(default="")) -> str:
    if authorization != f"Bearer {TOKEN}":
        raise HTTPException(status_code=401, detail="sign in first")
    return USER_ID


app = FastAPI()


@app.get("/goals/{goal_id}", response_model=GoalView, response_model_by_alias=True)
def get_goal(goal_id: str, user_id: str = Depends(current_user), db: Session = Depends(get_db)):
    goal = db.query(Goal).filter(Goal.id == goal_id, Goal.user_id == user_id).one_or_none()
    if goal is None:
        raise HTTPException(status_code=404, detail="goal not found")
    plan = (
        db.query(PlanVersion)
        .options(defer(PlanVersion.plan))
        .filter(PlanVersion.goal_id == goal.id, PlanVersion.is_current.is_(True))
        .one_or_none()
    )
    tasks = db.query(Task).filter(Task.goal_id == goal.id).order_by(Task.week, Task.position).all()
    failure = (
        Failure(code=goal.failure_code, message=goal.failure_message or "")
        if goal.failure_code
        else None
    )
    return GoalView(
        id=goal.id,
        title=goal.title,
        status=goal.status,
        requirements=goal.requirements,
        failure=failure,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
        plan=PlanSummary.from_orm(plan) if plan else None,
        tasks=[task_out(task) for task in tasks],
    )


@app.post("/tasks/{task_id}/complete", response_model=CompletionOut, response_model_by_alias=True)
def set_complete(
    task_id: str,
    body: Completion,
    user_id: str = Depends(current_user),
    db: Session = Depends(get_db),
):
    task = db.query(Task).filter(Task.id == task_id, Task.user_id == user_id).one_or_none()
    if task is None:
        raise HTTPException(status_code=404, detail="task not found")
    if body.completed != (task.completed_at is not None):
        task.completed_at = datetime.datetime.now(datetime.timezone.utc) if body.completed else None
        db.commit()
        db.refresh(task)
    return CompletionOut(task=task_out(task, TaskOut), next=None)


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning", access_log=False)
