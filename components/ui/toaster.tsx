'use client'

import { createContext, useCallback, useContext, useState } from 'react'

type Tone = 'success' | 'error'
interface Toast {
  id: number
  message: string
  tone: Tone
}

const ToastContext = createContext<(message: string, tone?: Tone) => void>(() => {})

/** Announces results that outlive the component that caused them (a list item that disappears after Accept). */
export function Toaster({ children }: { children: React.ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([])
  const push = useCallback((message: string, tone: Tone = 'success') => {
    const id = Date.now() + Math.random()
    setToasts((list) => [...list.slice(-2), { id, message, tone }])
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), 8000)
  }, [])
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div role="status" aria-live="polite" aria-label="Messages" className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-80 flex-col gap-2">
        {toasts.map((t) => (
          <p
            key={t.id}
            className={`rounded-md px-4 py-3 text-sm shadow-lg ${t.tone === 'error' ? 'bg-red-800 text-white' : 'bg-slate-900 text-white'}`}
          >
            {t.message}
          </p>
        ))}
      </div>
    </ToastContext.Provider>
  )
}

export const useToast = () => useContext(ToastContext)
