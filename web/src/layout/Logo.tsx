/** The Mofang mark: a 3×3 cube face. */
export function Logo({ size = 28 }: { size?: number }) {
  const cells = [1, 1, 0.65, 0.65, 1, 1, 1, 0.65, 1];
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="6" fill="#1d4ed8" />
      {cells.map((opacity, i) => (
        <rect
          key={i}
          x={6 + (i % 3) * 7}
          y={6 + Math.floor(i / 3) * 7}
          width="6"
          height="6"
          rx="1"
          fill="#fff"
          opacity={opacity}
        />
      ))}
    </svg>
  );
}
