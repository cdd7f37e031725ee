import { memo, useState } from 'react'

/** The connector's logo, or its initial on a tile when it has none or the image fails. */
export const ConnectorIcon = memo(function ConnectorIcon({
  name,
  icon,
  size = 40,
}: {
  name: string
  icon?: string
  size?: number
}) {
  const [failed, setFailed] = useState(false)
  const style = { width: size, height: size }
  if (!icon || failed) {
    return (
      <span className="connector-icon connector-icon--letter" style={style} aria-hidden="true">
        {name.trim().charAt(0).toUpperCase() || '?'}
      </span>
    )
  }
  return (
    <span className="connector-icon" style={style} aria-hidden="true">
      <img
        src={icon}
        alt=""
        loading="lazy"
        referrerPolicy="no-referrer"
        onError={() => setFailed(true)}
      />
    </span>
  )
})
