/** The admin API speaks the ra-data-simple-rest dialect (sort, range, filter; Content-Range). */
import simpleRestProvider from 'ra-data-simple-rest';

import { httpClient } from './http.ts';

export const dataProvider = simpleRestProvider('/api', httpClient);
