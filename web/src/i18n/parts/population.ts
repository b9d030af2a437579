/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhPopulation = {
};

export const enPopulation: Record<keyof typeof zhPopulation, string> = {
};
