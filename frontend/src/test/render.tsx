import { render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { createMemoryRouter, RouterProvider } from 'react-router'
import { Providers } from '@/app/providers'
import { createQueryClient } from '@/app/query-client'
import { routes } from '@/app/router'

/** The real routes and providers at `path`, with no retries so failures show at once. */
export function renderApp(path: string) {
  const client = createQueryClient()
  client.setDefaultOptions({ queries: { retry: false, staleTime: 0 } })
  const router = createMemoryRouter(routes, { initialEntries: [path] })
  const view = render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>,
  )
  return { ...view, router, client }
}

/** One component with the app's providers (no router). */
export function renderWithProviders(ui: ReactNode) {
  const client = createQueryClient()
  client.setDefaultOptions({ queries: { retry: false, staleTime: 0 } })
  return { ...render(<Providers client={client}>{ui}</Providers>), client }
}
