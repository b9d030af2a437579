/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhInput = {
};

export const enInput: Record<keyof typeof zhInput, string> = {
};
