import { createContext } from 'react'

/** The workspace whose credentials the form's `credential` widgets offer ('' = none known). */
export const FormWorkspaceContext = createContext('')
