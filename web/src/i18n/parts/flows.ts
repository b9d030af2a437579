/** Messages of one console area, kept apart so areas can grow without touching each other's lines. */
export const zhFlows = {
} as const;

export const enFlows: Record<keyof typeof zhFlows, string> = {
};
