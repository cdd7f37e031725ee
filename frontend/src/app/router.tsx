// Client-side routes under /app/. Django returns index.html for `/` and every `/app/*` path.
import { createBrowserRouter, Navigate, type RouteObject } from 'react-router'
import { ConnectWizardPage } from '@/features/connect-wizard/connect-wizard-page'
import { ConnectorListPage } from '@/features/connectors/connector-list-page'
import { CredentialsPage } from '@/features/credentials/credentials-page'
import { ExecutionListPage } from '@/features/executions/execution-list-page'
import { MembersPage } from '@/features/members/members-page'
import { PopupReturnPage } from '@/features/oauth/popup-return-page'
import { StatusPage } from '@/features/status/status-page'
import { WorkflowListPage } from '@/features/workflows/workflow-list-page'
import { Loading } from '@/components/ui/feedback'
import { Layout, NotFound } from './layout'

export const routes: RouteObject[] = [
  { path: '/', element: <Navigate to="/app/" replace /> },
  {
    path: '/app',
    element: <Layout />,
    children: [
      { index: true, element: <WorkflowListPage /> },
      {
        path: 'workflows/:id',
        // The canvas (React Flow) is the heavy part; load it when a workflow is opened.
        HydrateFallback: () => <Loading label="Loading editor…" />,
        lazy: () =>
          import('@/features/canvas/editor-page').then((m) => ({ Component: m.EditorPage })),
      },
      {
        path: 'workflows/:id/versions',
        HydrateFallback: () => <Loading label="Loading versions…" />,
        lazy: () =>
          import('@/features/versions/versions-page').then((m) => ({ Component: m.VersionsPage })),
      },
      { path: 'executions', element: <ExecutionListPage /> },
      {
        path: 'executions/:id',
        HydrateFallback: () => <Loading label="Loading run…" />,
        lazy: () =>
          import('@/features/executions/execution-detail-page').then((m) => ({
            Component: m.ExecutionDetailPage,
          })),
      },
      { path: 'connectors', element: <ConnectorListPage /> },
      {
        path: 'connectors/:slug',
        HydrateFallback: () => <Loading label="Loading connector…" />,
        lazy: () =>
          import('@/features/connectors/connector-detail-page').then((m) => ({
            Component: m.ConnectorDetailPage,
          })),
      },
      { path: 'connectors/:slug/connect', element: <ConnectWizardPage /> },
      { path: 'credentials', element: <CredentialsPage /> },
      { path: 'oauth/return', element: <PopupReturnPage /> },
      { path: 'members', element: <MembersPage /> },
      { path: 'status', element: <StatusPage /> },
      {
        path: 'monitoring',
        HydrateFallback: () => <Loading label="Loading monitoring…" />,
        lazy: () =>
          import('@/features/monitoring/monitoring-page').then((m) => ({
            Component: m.MonitoringPage,
          })),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
  { path: '*', element: <Navigate to="/app/" replace /> },
]

export const router = createBrowserRouter(routes)
