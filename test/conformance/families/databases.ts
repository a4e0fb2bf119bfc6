import type { ConformanceFamily } from '../case.js';

// References: PostgreSQL manual, "Error Reporting and Logging" (log_line_prefix escapes %m %p %u
// %d %h, log_connections, log_statement = ddl) and the server's auth.c messages ("password
// authentication failed for user", "no pg_hba.conf entry for host"); MySQL 8.0 reference manual,
// "The Error Log" (format: time thread [label] [err_code] [subsystem] message) and "The General
// Query Log"; MySQL error ER_ACCESS_DENIED_ERROR text; Elastic postgresql and mysql modules (ECS
// mapping: user.name, source.address, log.level, event.outcome).
const PG = 'PostgreSQL docs: Error Reporting and Logging (log_line_prefix); src/backend/libpq/auth.c; filebeat postgresql module';
const MY = 'MySQL 8.0 Reference Manual: The Error Log / The General Query Log; ER_ACCESS_DENIED_ERROR; filebeat mysql module';

const family: ConformanceFamily = {
  family: 'databases (PostgreSQL, MySQL)',
  cases: [
    {
      name: 'PostgreSQL password failure, Debian prefix "%m [%p] %q%u@%d "',
      reference: PG,
      line: '2024-03-14 16:20:01.112 CST [41022] app@zhengwu FATAL:  password authentication failed for user "app"',
      expected: {
        'event.action': 'database_login', 'event.outcome': 'failure', 'event.category': ['authentication', 'database'], 'event.module': 'postgresql',
        'user.name': 'app', 'process.pid': 41022, 'log.level': 'FATAL', 'vendor.database': 'zhengwu', '@timestamp': '2024-03-14T08:20:01.112Z',
      },
    },
    {
      name: 'PostgreSQL pg_hba rejection names host, user and database',
      reference: PG,
      line: '2024-03-14 16:20:05.000 CST [41030] FATAL:  no pg_hba.conf entry for host "198.51.100.23", user "postgres", database "postgres", SSL off',
      expected: { 'event.action': 'database_login', 'event.outcome': 'failure', 'source.ip': '198.51.100.23', 'user.name': 'postgres', 'vendor.database': 'postgres' },
    },
    {
      name: 'PostgreSQL pgBadger prefix with client and connection authorized',
      reference: PG + '; pgBadger recommended prefix "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "',
      line: '2024-03-14 16:21:00 CST [41040]: [2-1] user=ops,db=zhengwu,app=psql,client=10.10.8.21 LOG:  connection authorized: user=ops database=zhengwu',
      expected: { 'event.action': 'database_login', 'event.outcome': 'success', 'user.name': 'ops', 'source.ip': '10.10.8.21', 'vendor.database': 'zhengwu' },
    },
    {
      name: 'PostgreSQL connection received with port',
      reference: PG,
      line: '2024-03-14 16:21:00.001 CST [41040] LOG:  connection received: host=10.10.8.21 port=51514',
      expected: { 'event.action': 'service_connection', 'source.ip': '10.10.8.21', 'source.port': 51514 },
    },
    {
      name: 'PostgreSQL CREATE ROLE (log_statement = ddl)',
      reference: PG,
      line: "2024-03-14 16:22:00 CST [41040]: [3-1] user=postgres,db=zhengwu,app=psql,client=10.10.8.21 LOG:  statement: CREATE ROLE report LOGIN PASSWORD 'Secret123';",
      expected: { 'event.action': 'database_privilege_change', 'event.category': ['iam', 'database'], 'user.name': 'postgres', 'user.target.name': 'report', 'vendor.statement': "CREATE ROLE report LOGIN PASSWORD '***';" },
    },
    {
      name: 'PostgreSQL GRANT',
      reference: PG,
      line: '2024-03-14 16:22:10 CST [41040]: [4-1] user=postgres,db=zhengwu,app=psql,client=10.10.8.21 LOG:  statement: GRANT SELECT ON ALL TABLES IN SCHEMA public TO report;',
      expected: { 'event.action': 'database_privilege_change', 'event.outcome': 'success', 'user.target.name': 'report' },
    },
    {
      name: 'PostgreSQL DROP TABLE',
      reference: PG,
      line: '2024-03-14 16:23:00 CST [41040]: [5-1] user=postgres,db=zhengwu,app=psql,client=10.10.8.21 LOG:  statement: DROP TABLE citizens_backup;',
      expected: { 'event.action': 'database_schema_change', 'event.category': ['configuration', 'database'], 'vendor.statement': 'DROP TABLE citizens_backup;' },
    },
    {
      name: 'PostgreSQL over syslog',
      reference: PG + ' (log_destination = syslog, "[line-seq]" prefix)',
      line: 'Mar 14 16:24:00 db01 postgres[41050]: [3-1] user=app,db=zhengwu,app=[unknown],client=198.51.100.23 FATAL:  password authentication failed for user "app"',
      expected: { 'event.action': 'database_login', 'event.outcome': 'failure', 'user.name': 'app', 'source.ip': '198.51.100.23', 'host.name': 'db01', 'process.pid': 41050 },
    },
    {
      name: 'MySQL 8.0 error log access denied',
      reference: MY,
      line: "2024-03-14T08:25:00.123456Z 31 [Note] [MY-010926] [Server] Access denied for user 'root'@'198.51.100.23' (using password: YES)",
      expected: {
        'event.action': 'database_login', 'event.outcome': 'failure', 'event.module': 'mysql', 'user.name': 'root', 'source.ip': '198.51.100.23',
        'event.code': 'MY-010926', 'log.level': 'Note', '@timestamp': '2024-03-14T08:25:00.123Z',
      },
    },
    {
      name: 'MySQL 5.7 error log access denied from a host name',
      reference: MY + ' (5.7 format without error code)',
      line: "2024-03-14T08:25:10.000000Z 32 [Note] Access denied for user 'admin'@'scanner.example.net' (using password: YES)",
      expected: { 'event.action': 'database_login', 'event.outcome': 'failure', 'user.name': 'admin', 'source.domain': 'scanner.example.net' },
    },
    {
      name: 'MariaDB / MySQL 5.5 error log',
      reference: MY + ' (5.5 "YYMMDD HH:MM:SS [Warning]" format)',
      line: "240314 16:25:20 [Warning] Access denied for user 'root'@'localhost' (using password: NO)",
      expected: { 'event.action': 'database_login', 'event.outcome': 'failure', 'user.name': 'root', 'source.domain': 'localhost', '@timestamp': '2024-03-14T08:25:20.000Z' },
    },
    {
      name: 'MySQL general log GRANT',
      reference: MY,
      line: "2024-03-14T08:26:00.000000Z\t   33 Query\tGRANT ALL PRIVILEGES ON zhengwu.* TO 'report'@'%'",
      expected: { 'event.action': 'database_privilege_change', 'user.target.name': 'report', 'event.module': 'mysql' },
    },
    {
      name: 'MySQL general log CREATE USER hides the password',
      reference: MY,
      line: "2024-03-14T08:26:10.000000Z\t   33 Query\tCREATE USER 'report'@'%' IDENTIFIED BY 'S3cret!'",
      expected: { 'event.action': 'database_privilege_change', 'user.target.name': 'report', 'vendor.statement': "CREATE USER 'report'@'%' IDENTIFIED BY '***'" },
    },
    {
      name: 'MySQL general log connect',
      reference: MY,
      line: '2024-03-14T08:26:20.000000Z\t   34 Connect\tapp@10.10.8.30 on zhengwu using TCP/IP',
      expected: { 'event.action': 'database_login', 'event.outcome': 'success', 'user.name': 'app', 'source.ip': '10.10.8.30', 'vendor.database': 'zhengwu' },
    },
    {
      name: 'MariaDB over syslog',
      reference: MY + ' (MariaDB --log-error to syslog)',
      line: "Mar 14 16:27:00 db02 mysqld[1203]: [Warning] Access denied for user 'root'@'198.51.100.77' (using password: YES)",
      expected: { 'event.action': 'database_login', 'event.outcome': 'failure', 'user.name': 'root', 'source.ip': '198.51.100.77', 'host.name': 'db02' },
    },
  ],
};
export default family;
