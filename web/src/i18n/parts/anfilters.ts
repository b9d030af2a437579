/** Messages of one console area, kept apart so areas can grow without touching each other's lines. */
export const zhAnFilters = {
} as const;

export const enAnFilters: Record<keyof typeof zhAnFilters, string> = {
};
