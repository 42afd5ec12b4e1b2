import { join } from 'node:path';
import { z } from 'zod';
import { counted } from '../../grammar.js';
import { REPORT_KINDS, type ReportQuery } from '../../providers/visier/api.js';
import { ToolArgumentError } from '../shared/errors.js';
import { fencedText, linesWithinBudget } from '../shared/format.js';
import { defineTool } from './define.js';
import { epochMs, id, routing, toEpochMs } from './fields.js';

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const getReport = defineTool({
  name: 'get_report',
  title: 'Get report',
  description: "Fetches one of Visier's user reports as rows; can also save the XLSX file for the operator.",
  classification: 'read',
  inputSchema: {
    report: z.enum(REPORT_KINDS).describe('Which report'),
    userId: id('Visier userId; required for data-security').optional(),
    startTime: epochMs('application-logs window start (inclusive)'),
    endTime: epochMs('application-logs window end (exclusive)'),
    maxRows: z.number().int().min(1).max(1000).optional().describe('Rows to return (1-1000, default 100)'),
    save: z.boolean().optional().describe('Also save the XLSX file in the operator-set report directory'),
    ...routing,
  },
  outputSchema: {
    report: z.enum(REPORT_KINDS),
    columns: z.array(z.string()),
    rows: z.array(z.record(z.string(), cell)),
    totalRows: z.number().int(),
    truncated: z.boolean(),
    savedTo: z.string().optional(),
  },
  handler: async (args, ctx) => {
    if (args.report === 'data-security' && args.userId === undefined) {
      throw new ToolArgumentError('userId', 'required for the data-security report');
    }
    if (args.save && !ctx.reportDir) {
      throw new ToolArgumentError(
        'save',
        'no report directory is configured (the operator sets --report-dir); call again without save',
      );
    }
    const query: ReportQuery = { maxRows: args.maxRows ?? 100 };
    if (args.userId !== undefined) query.userId = args.userId;
    if (args.startTime !== undefined) query.startTime = toEpochMs(args.startTime);
    if (args.endTime !== undefined) query.endTime = toEpochMs(args.endTime);
    // The server names the file: a model-supplied path could write anywhere the process can.
    if (args.save && ctx.reportDir) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      query.saveTo = join(ctx.reportDir, `${args.report}-${stamp}.xlsx`);
    }
    ctx.progress(0, 1, `fetching ${args.report}`);
    const report = await ctx.api.getReport(args.report, query, ctx.call);
    ctx.progress(1, 1, `fetched ${args.report}`);
    const lines = report.rows.map((row) => report.columns.map((c) => String(row[c] ?? '')).join('\t'));
    const fit = linesWithinBudget(lines, ctx);
    const rows = report.rows.slice(0, fit);
    const truncated = report.truncated || fit < report.rows.length;
    const header =
      `${args.report}: ${rows.length} of ${counted(report.totalRows, 'row')}${truncated ? ' (truncated)' : ''}.` +
      (report.savedTo ? ` Saved to ${report.savedTo}.` : '');
    return {
      text: fencedText(header, [report.columns.join('\t'), ...lines.slice(0, fit)], ctx),
      structured: {
        report: report.report,
        columns: report.columns,
        rows,
        totalRows: report.totalRows,
        truncated,
        ...(report.savedTo ? { savedTo: report.savedTo } : {}),
      },
    };
  },
});

export const REPORT_TOOLS = [getReport];
