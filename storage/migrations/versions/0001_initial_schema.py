"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 19:59:35.865464
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# Chinese views for people who read the database in Datasette or a spreadsheet (portable SQL: SQLite and PostgreSQL)
VIEWS = {
    "报告一览": """
        SELECT r.id AS "编号", r.portal_id AS "门户", r.region_path AS "地区", r.body_name AS "机构",
               CASE r.body_kind WHEN 'department' THEN '部门' WHEN 'government' THEN '人民政府'
                    WHEN 'township' THEN '乡镇/街道' ELSE '' END AS "机构类型",
               r.year AS "年度", r.published AS "发布日期", r.published_source AS "日期来源", r.deadline AS "期限",
               CASE WHEN r.on_time IS NULL THEN '未知' WHEN r.on_time THEN '是' ELSE '否' END AS "按时发布",
               CASE WHEN r.complete THEN '是' ELSE '否' END AS "六部分完整",
               CASE WHEN r.consistent THEN '是' ELSE '否' END AS "数据一致",
               r.errors AS "错误", r.warnings AS "警告", r.infos AS "提示", r.document_url AS "地址",
               r.audited_at AS "审核时间"
        FROM report r""",
    "问题一览": """
        SELECT f.id AS "编号", f.portal_id AS "门户", b.name AS "机构", f.year AS "年度", f.rule AS "规则",
               CASE f.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END AS "级别",
               f.section AS "部分", f.loc_table AS "表", f.loc_row AS "行", f.loc_column AS "列",
               f.message AS "说明", f.evidence AS "证据",
               CASE f.status WHEN 'open' THEN '未解决' WHEN 'resolved' THEN '已解决' ELSE '已豁免' END AS "状态",
               f.first_seen AS "首次发现", f.last_seen AS "最近发现", f.waived_reason AS "豁免理由", f.url AS "地址"
        FROM finding f JOIN body b ON b.id = f.body_id""",
}


def upgrade() -> None:

    op.create_table('audit_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('ruleset_version', sa.String(), nullable=False),
    sa.Column('mode', sa.String(), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('problems', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('infos', sa.Integer(), nullable=False),
    sa.Column('resolved', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('body',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=True),
    sa.Column('configured', sa.Boolean(), nullable=False),
    sa.Column('region_path', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('portal_id', 'name', name='uq_body_portal_name')
    )
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_body_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_body_portal_id'), ['portal_id'], unique=False)

    op.create_table('crawl',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.String(), nullable=False),
    sa.Column('started', sa.DateTime(), nullable=False),
    sa.Column('finished', sa.DateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crawl', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawl_portal_id'), ['portal_id'], unique=False)

    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('recipient', sa.String(), nullable=False),
    sa.Column('period_key', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('payload_sha256', sa.String(), nullable=False),
    sa.Column('finding_ids', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'recipient', 'payload_sha256', name='uq_delivery_payload')
    )
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('content_type', sa.String(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('archive_path', sa.String(), nullable=True),
    sa.Column('portal_id', sa.String(), nullable=True),
    sa.Column('body_name', sa.String(), nullable=True),
    sa.Column('title', sa.String(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('published_source', sa.String(), nullable=True),
    sa.Column('first_fetched', sa.DateTime(), nullable=True),
    sa.Column('last_fetched', sa.DateTime(), nullable=True),
    sa.Column('previous_sha256', sa.String(), nullable=True),
    sa.Column('audited_ruleset', sa.String(), nullable=True),
    sa.Column('audited_sha256', sa.String(), nullable=True),
    sa.Column('audited_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_portal_id'), ['portal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_sha256'), ['sha256'], unique=False)

    op.create_table('extraction_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(), nullable=False),
    sa.Column('portal_id', sa.String(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('when', sa.DateTime(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url')
    )
    with op.batch_alter_table('extraction_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extraction_problem_portal_id'), ['portal_id'], unique=False)

    op.create_table('portal',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('region_path', sa.String(), nullable=False),
    sa.Column('province', sa.String(), nullable=True),
    sa.Column('city', sa.String(), nullable=True),
    sa.Column('county', sa.String(), nullable=True),
    sa.Column('start_urls', sa.JSON(), nullable=True),
    sa.Column('supervisor', sa.JSON(), nullable=True),
    sa.Column('township_deadline', sa.String(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.String(), nullable=False),
    sa.Column('region_path', sa.String(), nullable=False),
    sa.Column('body_name', sa.String(), nullable=False),
    sa.Column('body_kind', sa.String(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('document_url', sa.String(), nullable=True),
    sa.Column('source', sa.String(), nullable=True),
    sa.Column('title', sa.String(), nullable=True),
    sa.Column('format', sa.String(), nullable=True),
    sa.Column('ocr', sa.Boolean(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('published_source', sa.String(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('consistent', sa.Boolean(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('infos', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=True),
    sa.Column('sections', sa.JSON(), nullable=True),
    sa.Column('ruleset_version', sa.String(), nullable=True),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('audited_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['body.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['last_run_id'], ['audit_run.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('body_id', 'year', name='uq_report_body_year')
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_report_year_portal', ['year', 'portal_id'], unique=False)
        batch_op.create_index('ix_report_year_region', ['year', 'region_path'], unique=False)

    op.create_table('audit_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('infos', sa.Integer(), nullable=False),
    sa.Column('fingerprints', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['audit_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_record_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_record_run_id'), ['run_id'], unique=False)

    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('portal_id', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(), nullable=True),
    sa.Column('rule', sa.String(), nullable=False),
    sa.Column('severity', sa.String(), nullable=False),
    sa.Column('section', sa.String(), nullable=True),
    sa.Column('loc_table', sa.String(), nullable=True),
    sa.Column('loc_row', sa.String(), nullable=True),
    sa.Column('loc_column', sa.String(), nullable=True),
    sa.Column('location', sa.JSON(), nullable=True),
    sa.Column('expected', sa.JSON(), nullable=True),
    sa.Column('observed', sa.JSON(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('cells', sa.JSON(), nullable=True),
    sa.Column('uncertain', sa.Boolean(), nullable=False),
    sa.Column('fingerprint', sa.String(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('first_run_id', sa.Integer(), nullable=True),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('waived_by', sa.String(), nullable=True),
    sa.Column('waived_reason', sa.String(), nullable=True),
    sa.Column('waived_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['body.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('body_id', 'fingerprint', name='uq_finding_body_fingerprint')
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_finding_rule_year', ['rule', 'year'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_status'), ['status'], unique=False)
        batch_op.create_index('ix_finding_year_portal_rule', ['year', 'portal_id', 'rule', 'status'], unique=False)



    for name, sql in VIEWS.items():
        op.execute(f'CREATE VIEW "{name}" AS {sql}')


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f'DROP VIEW IF EXISTS "{name}"')

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_year_portal_rule')
        batch_op.drop_index(batch_op.f('ix_finding_status'))
        batch_op.drop_index('ix_finding_rule_year')
        batch_op.drop_index(batch_op.f('ix_finding_report_id'))
        batch_op.drop_index(batch_op.f('ix_finding_fingerprint'))
        batch_op.drop_index(batch_op.f('ix_finding_body_id'))

    op.drop_table('finding')
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_record_run_id'))
        batch_op.drop_index(batch_op.f('ix_audit_record_report_id'))

    op.drop_table('audit_record')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_year_region')
        batch_op.drop_index('ix_report_year_portal')
        batch_op.drop_index(batch_op.f('ix_report_document_id'))
        batch_op.drop_index(batch_op.f('ix_report_body_id'))

    op.drop_table('report')
    op.drop_table('portal')
    with op.batch_alter_table('extraction_problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extraction_problem_portal_id'))

    op.drop_table('extraction_problem')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_sha256'))
        batch_op.drop_index(batch_op.f('ix_document_portal_id'))

    op.drop_table('document')
    op.drop_table('delivery')
    with op.batch_alter_table('crawl', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_portal_id'))

    op.drop_table('crawl')
    with op.batch_alter_table('body', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_body_portal_id'))
        batch_op.drop_index(batch_op.f('ix_body_name'))

    op.drop_table('body')
    op.drop_table('audit_run')

