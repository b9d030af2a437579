/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhPii = {
};

export const enPii: Record<keyof typeof zhPii, string> = {
};
