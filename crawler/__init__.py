"""The Scrapy project: finds the 政府信息公开年报 column of each configured portal, fetches the reports and their
attachments, archives them and records them in storage.  It never audits."""
