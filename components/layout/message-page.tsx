import Link from 'next/link'

/**
 * A page that says one thing and offers one way on: errors, ended invitations,
 * "not found". Standalone pages render their own <main>; pages inside the
 * signed-in layout (which has one) do not.
 */
export function MessagePage({
  title,
  body,
  link,
  isMain = true,
}: {
  title: string
  body: string
  link: { href: string; label: string }
  isMain?: boolean
}) {
  const content = (
    <>
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p className="mt-3 text-slate-700">{body}</p>
      <p className="mt-6">
        <Link href={link.href} className="font-medium text-indigo-700 underline">
          {link.label}
        </Link>
      </p>
    </>
  )
  return isMain ? (
    <main id="main" className="mx-auto max-w-lg px-6 py-20">
      {content}
    </main>
  ) : (
    <div className="mx-auto max-w-lg py-12">{content}</div>
  )
}
